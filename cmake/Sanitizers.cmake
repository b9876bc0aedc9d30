# Build types with sanitizers:
#   -DCMAKE_BUILD_TYPE=Asan   AddressSanitizer + UndefinedBehaviorSanitizer
#   -DCMAKE_BUILD_TYPE=Ubsan  UndefinedBehaviorSanitizer alone
set(_san_common "-O1 -g -fno-omit-frame-pointer")
set(CMAKE_C_FLAGS_ASAN
    "${_san_common} -fsanitize=address,undefined -fno-sanitize-recover=undefined"
    CACHE STRING "C flags for the Asan build type" FORCE)
set(CMAKE_EXE_LINKER_FLAGS_ASAN "-fsanitize=address,undefined"
    CACHE STRING "" FORCE)
set(CMAKE_SHARED_LINKER_FLAGS_ASAN "-fsanitize=address,undefined"
    CACHE STRING "" FORCE)
set(CMAKE_C_FLAGS_UBSAN
    "${_san_common} -fsanitize=undefined -fno-sanitize-recover=undefined"
    CACHE STRING "C flags for the Ubsan build type" FORCE)
set(CMAKE_EXE_LINKER_FLAGS_UBSAN "-fsanitize=undefined" CACHE STRING "" FORCE)
set(CMAKE_SHARED_LINKER_FLAGS_UBSAN "-fsanitize=undefined"
    CACHE STRING "" FORCE)
