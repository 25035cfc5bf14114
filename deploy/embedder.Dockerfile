# Embedder image: multilingual-e5 int8 ONNX on CPU, model baked in, no network at run time.
#
#   docker buildx build --platform linux/amd64,linux/arm64 \
#     -f deploy/embedder.Dockerfile --build-arg MODEL=multilingual-e5-small -t IMAGE .
#
# MODEL: multilingual-e5-small (default) | multilingual-e5-base | multilingual-e5-large |
# multilingual-e5-large-instruct. The last two need digests the catalog lacks; see
# scripts/download-model.ts (--sha256-of-file), or they fail the build on purpose.
#
# Run with a read-only root filesystem; only /tmp needs to be writable:
#   docker run --read-only --tmpfs /tmp -p 50051:50051 -p 8081:8081 IMAGE

# Exact version, so a rebuild cannot silently change the runtime. Pin a digest too
# at release time by passing --build-arg NODE_IMAGE=node:20.20.2-bookworm-slim@sha256:...
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# Compilation and the model download produce platform-independent files, so they run
# once on the build machine instead of once per target under emulation.
FROM --platform=$BUILDPLATFORM ${NODE_IMAGE} AS deps
# onnxruntime-node carries its linux x64 and arm64 CPU binaries inside the npm package;
# without this its install script would try to fetch CUDA libraries we never load.
ENV ONNXRUNTIME_NODE_INSTALL_CUDA=skip
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY shared ./shared
COPY services ./services
RUN npm run build

# Depends only on the lockfile and the script: code changes do not re-download the model.
FROM deps AS model
ARG MODEL=multilingual-e5-small
COPY scripts/download-model.ts ./scripts/download-model.ts
RUN node --import tsx scripts/download-model.ts --model "${MODEL}" --out "/models/${MODEL}"

# Runtime dependencies are installed for the target platform, so any native addon matches it.
FROM ${NODE_IMAGE} AS prod-deps
ENV ONNXRUNTIME_NODE_INSTALL_CUDA=skip
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ARG MODEL=multilingual-e5-small
# HOME points at the one writable place, in case a library wants a cache dir.
ENV NODE_ENV=production \
    HOME=/tmp \
    MODEL_DIR=/models/${MODEL} \
    EMBEDDER_ALLOW_FIXTURE=false
WORKDIR /app
# Owned by root and not writable by the service user: the code and model cannot be altered at run time.
COPY package.json ./
# Reflection loads the .proto files at run time.
COPY proto ./proto
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=model /models /models
USER 10001:10001
EXPOSE 50051 8081
# slim has no curl; node's fetch does the probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=180s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.EMBEDDER_HTTP_PORT||8081)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/services/embedder/src/main.js"]
