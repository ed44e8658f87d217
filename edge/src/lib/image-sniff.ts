/**
 * Owner-uploaded images (posters, channel avatars and banners): the types we accept,
 * recognised by their first bytes rather than trusted from headers, and their size cap.
 */

/** The largest image the edge takes in one request body. */
export const MAX_IMAGE_UPLOAD_BYTES = 10 * 1024 * 1024;

export type SniffedImageType = "image/jpeg" | "image/png" | "image/webp";

export function sniffImage(bytes: Uint8Array): SniffedImageType | null {
  const b = (i: number) => bytes[i];
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return "image/jpeg";
  if (b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47) return "image/png";
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length >= 12 && ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "image/webp";
  return null;
}

/**
 * The sniffed type when the bytes are one we accept and agree with the declared
 * Content-Type (if any), else null: the caller answers 415.
 */
export function acceptedImageType(declaredContentType: string | undefined, bytes: Uint8Array) {
  const declared = (declaredContentType ?? "").split(";")[0]!.trim().toLowerCase();
  const actual = sniffImage(bytes);
  return actual && (!declared || declared === actual) ? actual : null;
}
