# syntax=docker/dockerfile:1
# One image for both processes of rongcuo:
#   API (default):  node dist/api/server.js
#   worker:         node dist/worker/main.js
# docker-compose.yml runs both against PostgreSQL and a Temporal server.

ARG NODE_IMAGE=node:26-trixie-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY common ./common
COPY domain ./domain
COPY workflows ./workflows
COPY activities ./activities
COPY worker ./worker
COPY api ./api
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
# MALLOC_MMAP_THRESHOLD_: see worker/process-env.ts (native memory freed by the worker goes back to the system)
ENV NODE_ENV=production \
    DATA_DIR=/app/data \
    MALLOC_MMAP_THRESHOLD_=131072
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
CMD ["node", "dist/api/server.js"]
