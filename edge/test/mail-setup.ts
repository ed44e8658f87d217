/**
 * Node-side setup for the edge (workerd) tests: a real SMTP server (the dev mail sink,
 * smtp-server + mailparser on loopback, requiring AUTH so SMTP_URL's credentials are
 * exercised). The Worker sends to it over `cloudflare:sockets`; tests read what arrived
 * from its HTTP listing (`mailSinkUrl`).
 */
import type { TestProject } from "vitest/node";
import { startMailSink } from "../../scripts/lib/mail-sink.ts";

declare module "vitest" {
  export interface ProvidedContext {
    smtpUrl: string;
    mailSinkUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const sink = await startMailSink({ auth: { user: "edge-test", pass: "sink-pass" }, max: 5000 });
  project.provide("smtpUrl", sink.smtpUrl);
  project.provide("mailSinkUrl", sink.httpUrl);
  return () => sink.close();
}
