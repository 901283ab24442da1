export { createLogger } from './logger';
export type { Logger } from './logger';
export { startHealthServer } from './health-server';
export type { HealthServer, HealthServerOptions, HealthCheck } from './health-server';
export { Backoff } from './backoff';
export { connectNats } from './nats-link';
export type { NatsLink } from './nats-link';
export { waitFor } from './wait-for';
export { parseDuration } from './duration';
