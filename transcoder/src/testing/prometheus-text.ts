/**
 * A strict reader of the Prometheus text exposition format (0.0.4), written for the tests
 * independently of prom-client: every line must be a comment (`# HELP`/`# TYPE`), blank, or
 * a sample `name{label="value",…} number`. Returns the samples keyed by `name{labels}` with
 * labels in sorted order, so a test can look one up by hand.
 */
// Values as Go's ParseFloat reads them, which is what Prometheus uses: NaN/Inf in any case.
const SAMPLE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (-?[0-9.eE+-]+|[nN][aA][nN]|[+-]?[iI][nN][fF])( -?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const TYPE = /^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped)$/;

export function parsePrometheusText(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("# HELP ")) continue;
    if (line.startsWith("#")) {
      if (!TYPE.test(line)) throw new Error(`not a TYPE line: ${line}`);
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels = [...(m[3] ?? "").matchAll(LABEL)].map(([, k, v]) => `${k}="${v}"`).sort();
    samples.set(`${m[1]}${labels.length ? `{${labels.join(",")}}` : ""}`, Number(m[4]));
  }
  return samples;
}
