/**
 * Per-request wiring: config, database, object stores and queues built from the Worker
 * env. Routes ask for what they need; services get plain dependencies.
 */
import { type Config, loadConfig } from "../config.ts";
import { type Database, database } from "../db/client.ts";
import { setLogLevel } from "./log.ts";
import type { ObjectStore } from "./storage/object-store.ts";
import { R2Store } from "./storage/r2-store.ts";
import { S3Store } from "./storage/s3-store.ts";

export interface Services {
  config: Config;
  db: Database;
  /** Full S3 API: multipart, presign, writes. */
  store: ObjectStore;
  /** Where media reads come from: R2 binding in production, else the S3 store. */
  media: Pick<ObjectStore, "get" | "head">;
  env: Env;
}

export function services(env: Env): Services {
  const config = loadConfig(env);
  setLogLevel(config.LOG_LEVEL);
  const store = new S3Store({
    endpoint: config.S3_ENDPOINT,
    ...(config.S3_PUBLIC_ENDPOINT ? { publicEndpoint: config.S3_PUBLIC_ENDPOINT } : {}),
    bucket: config.S3_BUCKET,
    region: config.S3_REGION,
    accessKeyId: config.S3_ACCESS_KEY_ID,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY,
  });
  const media = config.MEDIA_READS === "r2" ? new R2Store(env.MEDIA) : store;
  return { config, db: database(env.DB), store, media, env };
}
