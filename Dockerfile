# Two stages on Debian bookworm: build with the -dev packages, run with the
# runtime libraries only.
FROM debian:bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
        build-essential cmake pkg-config libuv1-dev libjansson-dev \
        libyaml-dev libmicrohttpd-dev libcurl4-openssl-dev libcrypt-dev \
        check libnats-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release \
    && cmake --build /build -j"$(nproc)" --target ballastd

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
        libuv1 libjansson4 libyaml-0-2 libmicrohttpd12 libcrypt1 \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/server/ballastd /usr/local/bin/ballastd
EXPOSE 4222 6222 8222
VOLUME /data
ENTRYPOINT ["/usr/local/bin/ballastd"]
CMD ["-p", "4222", "-m", "8222", "-sd", "/data"]
