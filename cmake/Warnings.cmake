# Warning flags for every target of ours. CI turns them into errors with
# -DBALLAST_WERROR=ON.
set(BALLAST_WARNINGS -Wall -Wextra -Wshadow -Wstrict-prototypes
    -Wno-unused-parameter -Wmissing-prototypes)
if(BALLAST_WERROR)
    list(APPEND BALLAST_WARNINGS -Werror)
endif()

function(ballast_target target)
    target_compile_options(${target} PRIVATE ${BALLAST_WARNINGS})
    target_compile_features(${target} PRIVATE c_std_11)
endfunction()
