/**
 * The analytics charts as SVG (ADR 0023): daily bars (views or watch time) and the audience
 * retention line. Each bar carries its day and value (`data-day`, `data-value`) and a `<title>`,
 * so the numbers a sighted person reads are the ones the table beside it lists.
 */
import type { RetentionPoint } from "@streamline/contracts";
import { bars, CHART_BOX, gridlines, labelIndices, line } from "./chart.ts";
import { svgEl } from "./svg.ts";

const { width, height, left } = CHART_BOX;

export interface Series {
  days: string[];
  values: number[];
  /** "views", "minutes", "hours". */
  unit: string;
}

const shortDay = (day: string) =>
  new Date(`${day}T00:00:00Z`).toLocaleDateString("en", { month: "short", day: "numeric", timeZone: "UTC" });

export const formatValue = (n: number) =>
  Number.isInteger(n) ? n.toLocaleString("en") : n.toLocaleString("en", { maximumFractionDigits: 1 });

function axes(svg: SVGSVGElement, max: number, fmt: (n: number) => string) {
  for (const g of gridlines(max)) {
    svg.append(svgEl("line", { class: "grid", x1: left, x2: width - CHART_BOX.right, y1: g.y, y2: g.y }));
    svg.append(svgEl("text", { class: "axis", x: left - 6, y: g.y + 4, "text-anchor": "end" }, fmt(g.value)));
  }
}

function chartSvg(label: string): SVGSVGElement {
  const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label });
  svg.classList.add("chart");
  return svg;
}

/** Daily bars with gridlines and first/middle/last day labels. */
export function barChart(series: Series, label: string): SVGSVGElement {
  const svg = chartSvg(label);
  const drawn = bars(series.values);
  axes(svg, drawn.max, formatValue);
  drawn.bars.forEach((b, i) => {
    const day = series.days[i] ?? "";
    const rect = svgEl("rect", {
      class: "bar",
      x: b.x,
      y: b.y,
      width: Math.max(0.5, b.width),
      height: b.height,
      "data-day": day,
      "data-value": b.value,
    });
    rect.append(svgEl("title", {}, `${shortDay(day)}: ${formatValue(b.value)} ${series.unit}`));
    svg.append(rect);
  });
  for (const i of labelIndices(series.days.length)) {
    const b = drawn.bars[i]!;
    const anchor = i === 0 ? "start" : i === series.days.length - 1 ? "end" : "middle";
    const x = anchor === "start" ? b.x : anchor === "end" ? b.x + b.width : b.x + b.width / 2;
    svg.append(
      svgEl("text", { class: "axis", x, y: height - 6, "text-anchor": anchor }, shortDay(series.days[i]!)),
    );
  }
  return svg;
}

/** The retention curve: relative audience (0–100 %) over the video's length. */
export function retentionChart(points: RetentionPoint[]): SVGSVGElement {
  const svg = chartSvg("Audience retention: relative audience at each point of the video");
  axes(svg, 100, (n) => `${n}%`);
  const drawn = line(
    points.map((p) => p.relative),
    100,
  );
  svg.append(svgEl("path", { class: "area", d: drawn.area }));
  svg.append(svgEl("path", { class: "line", d: drawn.line, "data-testid": "retention-line" }));
  for (const [i, text] of [
    [0, "0%"],
    [50, "50%"],
    [99, "100%"],
  ] as const) {
    const x = left + (i / 99) * (width - left - CHART_BOX.right);
    const anchor = i === 0 ? "start" : i === 99 ? "end" : "middle";
    svg.append(svgEl("text", { class: "axis", x, y: height - 6, "text-anchor": anchor }, text));
  }
  return svg;
}
