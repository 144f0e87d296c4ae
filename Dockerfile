# syntax=docker/dockerfile:1
# dockpolicy's own image, following every bundled practice: base images from ARGs,
# pinned by digest, from registries other than Docker Hub (mirror.gcr.io mirrors the
# official images); a builder stage; a minimal, labelled, non-root final image.
#
# The digests below are placeholders that keep the policy check honest offline: before
# building, refresh them with `docker buildx imagetools inspect <image>` (or pass
# --build-arg RUST_IMAGE=... --build-arg RUNTIME_IMAGE=...). CI checks this file with
# `dockpolicy test Dockerfile`, which must report no finding at all.
ARG RUST_IMAGE=mirror.gcr.io/library/rust:1.95-slim-bookworm@sha256:0000000000000000000000000000000000000000000000000000000000000000
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot@sha256:0000000000000000000000000000000000000000000000000000000000000000

FROM ${RUST_IMAGE} AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked && cp target/release/dockpolicy /dockpolicy

FROM ${RUNTIME_IMAGE}
LABEL org.opencontainers.image.authors="dockpolicy maintainers" \
      org.opencontainers.image.title="dockpolicy" \
      org.opencontainers.image.description="Policy-as-code for container images"
COPY --from=build /dockpolicy /usr/local/bin/dockpolicy
USER nonroot
ENTRYPOINT ["/usr/local/bin/dockpolicy"]
CMD ["test", "."]
