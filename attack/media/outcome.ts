/**
 * What the media corpus records per file, the rule for "a human-readable failure reason",
 * and the Markdown table the suite prints and docs/security.md carries.
 */

export interface CorpusRow {
  name: string;
  what: string;
  expected: "ok" | "failed";
  outcome: "ok" | "failed" | "hang";
  reason?: string | undefined;
  seconds: number;
  /** `finding`: the outcome broke a rule (hang, unreadable reason, wrong outcome, canary hit). */
  verdict: "pass" | "finding";
  /** A known finding: the issue 11 hole it belongs to, or "reported". */
  known?: string;
}

const RULES: [RegExp, string][] = [
  [/https?:\/\//i, "contains a URL"],
  [/X-Amz-/i, "contains a presigned query"],
  [/\b(?:127\.0\.0\.1|localhost|\d{1,3}(?:\.\d{1,3}){3}:\d+)\b/i, "names a host"],
  [/@ 0x[0-9a-f]+|\b0x[0-9a-f]{6,}\b/i, "raw ffmpeg log line (context pointer)"],
  [/\n\s+at |\bat [\w.<>]+ \(.*:\d+:\d+\)/, "stack trace"],
  [/\[object Object\]|\bundefined\b|\bNaN\b/, "a serialisation accident"],
  [/\/tmp\/|streamline-work-|\/work\//, "a local path"],
  [
    /^transcoder error: (?:terminated|fetch failed|other side closed|socket hang up)/i,
    "a transport error, not a reason",
  ],
  [/\b\d{10,} ?ms\b/, "an impossible number"],
];

/** Why a failure reason is not fit for a person (empty list: it is). */
export function readabilityProblems(reason: string): string[] {
  const problems: string[] = [];
  if (reason.trim().length < 10) problems.push("too short to say what is wrong");
  if (reason.length > 300) problems.push(`too long (${reason.length} characters)`);
  for (const [re, why] of RULES) if (re.test(reason)) problems.push(why);
  return problems;
}

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\s+/g, " ").trim();

export function formatCorpusTable(rows: readonly CorpusRow[]): string {
  const lines = [
    "| file | what it is | expected | outcome | time (s) | verdict |",
    "|---|---|---|---|---:|---|",
  ];
  for (const r of rows) {
    const outcome = r.outcome === "failed" ? `failed: ${r.reason ?? ""}` : r.outcome;
    const verdict = r.known ? `${r.verdict} (known, ${r.known})` : r.verdict;
    lines.push(
      `| \`${r.name}\` | ${cell(r.what)} | ${r.expected} | ${cell(outcome)} | ${r.seconds.toFixed(1)} | ${verdict} |`,
    );
  }
  return lines.join("\n");
}
