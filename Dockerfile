# relay-metrics exporter image: build with the dev dependencies, run with the
# production ones only.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts skips `prepare`, which would compile before the sources are copied.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The audit log directory belongs to the unprivileged user that runs the service.
RUN mkdir /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 9477
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["serve", "--data-dir", "/data", "--host", "0.0.0.0", "--port", "9477"]
