# The switch simulator as an image: build with the dev dependencies, run with the runtime ones only.
#   docker build -t dankort-switch .
#   docker run --rm -e REDIS_URL=redis://host:6379 -p 8583:8583 -p 8080:8080 dankort-switch
# or `docker compose up` (docker-compose.yml) for Redis and both listeners.
# No slim image ships redis-server, so the switch needs a Redis it can reach (REDIS_URL).

# ---- build: TypeScript -> dist/ (the build also copies the dialect JSON and the .lua files) ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# Everything the build reads (tsconfig*.json, src/, bench/, scripts/, terminals/ when present);
# .dockerignore keeps node_modules, dist and other local output out.
COPY . .
RUN npm run build

# ---- runtime ------------------------------------------------------------------------------------
FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY config ./config
USER node
# 8583: iso93ascii listener (binary2 header); 8587: iso87ascii listener (ascii4 header, only with
# SWITCH_CONFIG=config/switch.example.json); 8080: admin HTTP (/healthz open; /readyz, /metrics and
# traces need an operator token, docs/ADMIN-API.md).
EXPOSE 8583 8587 8080
# No curl in slim images: node's own fetch. Assumes the admin API on its default port 8080.
# /healthz, not /readyz: it needs no token, so no secret goes into the image or `docker inspect`.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]
# Exec form: node is PID 1 and gets SIGTERM itself; the switch answers requests already read and
# exits within shutdownTimeoutMs (10 s by default) + 2 s.
CMD ["node", "dist/src/main.js"]
