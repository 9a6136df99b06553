# A small image with s3path only, for ECS one-off tasks and Kubernetes debug pods:
#   docker build -t s3path .
#   docker run --rm --network host s3path doctor --bucket my-bucket
# In a task or pod it sees the task's or pod's network, DNS and metadata, like the application.
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src src
COPY checks checks
# The benchmark target is declared in Cargo.toml; the image needs only the binary.
COPY tests/bench tests/bench
RUN cargo build --release --locked --bin s3path

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/s3path /usr/local/bin/s3path
ENTRYPOINT ["s3path"]
CMD ["doctor"]
