import { describe, expect, it } from "vitest";
import { parseListParts } from "./s3-store.ts";

/** The shape S3 and R2 answer ListParts with (AWS API reference example, trimmed). */
const page = (truncated: boolean, next?: number) => `<?xml version="1.0" encoding="UTF-8"?>
<ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>streamline</Bucket>
  <Key>uploads/v_0000000000000000/source</Key>
  <UploadId>XXBsb2FkIElEIGZvciBlbHZpbmcncyVcdS1tb3ZpZS5tMnRzEEEwbG9hZA</UploadId>
  <PartNumberMarker>0</PartNumberMarker>
  ${next ? `<NextPartNumberMarker>${next}</NextPartNumberMarker>` : ""}
  <MaxParts>2</MaxParts>
  <IsTruncated>${truncated}</IsTruncated>
  <Part>
    <PartNumber>1</PartNumber>
    <LastModified>2026-12-02T18:00:00.000Z</LastModified>
    <ETag>&quot;7778aef83f66abc1fa1e8477f296d394&quot;</ETag>
    <Size>8388608</Size>
  </Part>
  <Part>
    <PartNumber>2</PartNumber>
    <LastModified>2026-12-02T18:00:01.000Z</LastModified>
    <ETag>"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"</ETag>
    <Size>1048576</Size>
  </Part>
</ListPartsResult>`;

describe("parseListParts", () => {
  it("reads each part's number, size and ETag (entities decoded)", () => {
    expect(parseListParts(page(false))).toEqual({
      parts: [
        { partNumber: 1, size: 8388608, etag: '"7778aef83f66abc1fa1e8477f296d394"' },
        { partNumber: 2, size: 1048576, etag: '"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"' },
      ],
    });
  });

  it("names the next page's marker when the listing is truncated", () => {
    expect(parseListParts(page(true, 2)).next).toBe("2");
    // Servers that leave NextPartNumberMarker out: continue after the last part listed.
    expect(parseListParts(page(true)).next).toBe("2");
  });
});
