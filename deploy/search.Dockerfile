# Search image: gRPC search over PostgreSQL+pgvector (or embedded PGlite when DATABASE_URL is unset).
#
#   docker buildx build --platform linux/amd64,linux/arm64 -f deploy/search.Dockerfile -t IMAGE .
#
# Run with a read-only root filesystem: /tmp, plus /data when using embedded PGlite.
#   docker run --read-only --tmpfs /tmp -e DATABASE_URL=postgres://... -p 50052:50052 -p 8082:8082 IMAGE

# Exact version; add @sha256:... at release time via --build-arg NODE_IMAGE=...
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# tsc output is platform-independent: compile once on the build machine.
FROM --platform=$BUILDPLATFORM ${NODE_IMAGE} AS deps
# The lockfile includes onnxruntime-node; skip its CUDA download here too.
ENV ONNXRUNTIME_NODE_INSTALL_CUDA=skip
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY shared ./shared
COPY services ./services
RUN npm run build

# Runtime dependencies for the target platform.
FROM ${NODE_IMAGE} AS prod-deps
ENV ONNXRUNTIME_NODE_INSTALL_CUDA=skip
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOME=/tmp \
    PGLITE_DATA_DIR=/data/pglite
WORKDIR /app
COPY package.json ./
COPY proto ./proto
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The only directory the service writes (embedded PGlite); everything else stays root-owned.
RUN mkdir -p /data/pglite && chown -R 10001:10001 /data
VOLUME ["/data"]
USER 10001:10001
EXPOSE 50052 8082
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.SEARCH_HTTP_PORT||8082)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/services/search/src/main.js"]
