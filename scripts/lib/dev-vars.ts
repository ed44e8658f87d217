/**
 * `.dev.vars` for `npm run dev`: parsing, and replacing every missing, placeholder or weak
 * secret with a fresh random one, so a fresh checkout starts with zero setup and never
 * on a value published in this repository (contracts service-secret.ts, ADR 0010).
 */
import { randomBytes } from "node:crypto";
import { secretProblem } from "@streamline/contracts";

export const DEV_SECRETS = ["JWT_SECRET", "DELIVERY_SECRET", "TRANSCODER_SECRET"] as const;

const LINE = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/;

export function parseDevVars(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = LINE.exec(line);
    if (m) vars[m[1]!] = m[2]!.replace(/^"(.*)"$/, "$1");
  }
  return vars;
}

/** `text` with each unusable secret replaced (or appended); `replaced` names them. */
export function withFreshSecrets(
  text: string,
  generate: () => string = () => randomBytes(32).toString("hex"),
): { text: string; replaced: string[] } {
  const current = parseDevVars(text);
  const replaced = DEV_SECRETS.filter((name) => {
    const value = current[name];
    return value === undefined || secretProblem(value) !== undefined;
  });
  let out = text;
  for (const name of replaced) {
    const line = new RegExp(`^\\s*${name}\\s*=.*$`, "m");
    const fresh = `${name}=${generate()}`;
    out = line.test(out) ? out.replace(line, fresh) : `${out.replace(/\n?$/, "\n")}${fresh}\n`;
  }
  return { text: out, replaced };
}
