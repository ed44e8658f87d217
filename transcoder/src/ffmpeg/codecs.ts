/**
 * RFC 6381 codec strings read back from what the encoder really wrote: the decoder
 * configuration box (avcC / hvcC / av1C) of an fMP4 init segment. H.264 CODECS is also
 * predicted from our settings (ladder.ts) and tests check the two agree; for HEVC and
 * AV1 the encoder picks level/constraints itself, so the init segment is the source of truth.
 */

function findBox(init: Uint8Array, type: string): number {
  const needle = Buffer.from(type, "latin1");
  const at = Buffer.from(init.buffer, init.byteOffset, init.byteLength).indexOf(needle);
  // Payload starts right after the 4-byte type.
  return at < 0 ? -1 : at + 4;
}

const hex2 = (n: number) => n.toString(16).padStart(2, "0");

/** `avc1.PPCCLL` from the avcC box (profile, constraint flags, level). */
export function avc1FromInit(init: Uint8Array): string | null {
  const p = findBox(init, "avcC");
  if (p < 0 || p + 4 > init.length) return null;
  return `avc1.${hex2(init[p + 1] ?? 0)}${hex2(init[p + 2] ?? 0)}${hex2(init[p + 3] ?? 0)}`;
}

/**
 * `hvc1.<space+profile>.<compat flags reversed, hex>.<tier><level>.<constraint bytes>`
 * (ISO/IEC 14496-15 Annex E), e.g. `hvc1.1.6.L93.90`.
 */
export function hvc1FromInit(init: Uint8Array): string | null {
  const p = findBox(init, "hvcC");
  if (p < 0 || p + 13 > init.length) return null;
  const b = (i: number) => init[p + i] ?? 0;
  const space = (b(1) >> 6) & 0x3;
  const tier = (b(1) >> 5) & 0x1;
  const profile = b(1) & 0x1f;
  const compat = ((b(2) << 24) | (b(3) << 16) | (b(4) << 8) | b(5)) >>> 0;
  let reversed = 0;
  for (let i = 0; i < 32; i++) if (compat & (1 << i)) reversed |= 1 << (31 - i);
  const constraints = [b(6), b(7), b(8), b(9), b(10), b(11)];
  while (constraints.length > 0 && constraints.at(-1) === 0) constraints.pop();
  const spaceLetter = ["", "A", "B", "C"][space] ?? "";
  const parts = [
    "hvc1",
    `${spaceLetter}${profile}`,
    (reversed >>> 0).toString(16).toUpperCase(),
    `${tier ? "H" : "L"}${b(12)}`,
    ...constraints.map((c) => c.toString(16).toUpperCase()),
  ];
  return parts.join(".");
}

/** `av01.<profile>.<level><tier>.<bit depth>` from the av1C box, e.g. `av01.0.08M.08`. */
export function av01FromInit(init: Uint8Array): string | null {
  const p = findBox(init, "av1C");
  if (p < 0 || p + 3 > init.length) return null;
  const b1 = init[p + 1] ?? 0;
  const b2 = init[p + 2] ?? 0;
  const profile = (b1 >> 5) & 0x7;
  const level = b1 & 0x1f;
  const tier = (b2 >> 7) & 0x1;
  const highBitdepth = (b2 >> 6) & 0x1;
  const twelveBit = (b2 >> 5) & 0x1;
  const depth = highBitdepth ? (twelveBit ? 12 : 10) : 8;
  return `av01.${profile}.${String(level).padStart(2, "0")}${tier ? "H" : "M"}.${String(depth).padStart(2, "0")}`;
}

/** Whichever video configuration box the init segment carries. */
export function videoCodecFromInit(init: Uint8Array): string | null {
  return avc1FromInit(init) ?? hvc1FromInit(init) ?? av01FromInit(init);
}
