import { crc32 } from "node:zlib";
import { UpstreamError } from "../../errors.js";

/** One message of the AWS event-stream binary framing (`application/vnd.amazon.eventstream`). */
export interface EventStreamMessage {
  headers: Record<string, string>;
  payload: Buffer;
}

/**
 * Decodes AWS event-stream frames: 4-byte total length, 4-byte headers length, prelude CRC,
 * headers, payload, message CRC (both CRCs checked). Only string headers are kept.
 */
export async function* decodeEventStream(stream: AsyncIterable<Buffer>): AsyncGenerator<EventStreamMessage> {
  let buf: Buffer = Buffer.alloc(0);
  for await (const chunk of stream) {
    buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    while (buf.length >= 12) {
      const total = buf.readUInt32BE(0);
      if (total < 16 || total > 16 * 1024 * 1024) throw new UpstreamError(0, "Bedrock sent a malformed event stream.");
      if (buf.length < total) break;
      const frame = buf.subarray(0, total);
      buf = buf.subarray(total);
      if (
        crc32(frame.subarray(0, 8)) !== frame.readUInt32BE(8) ||
        crc32(frame.subarray(0, total - 4)) !== frame.readUInt32BE(total - 4)
      )
        throw new UpstreamError(0, "Bedrock sent an event stream frame with a bad checksum.");
      const headersLength = frame.readUInt32BE(4);
      const headers: Record<string, string> = {};
      let p = 12;
      const end = 12 + headersLength;
      while (p < end) {
        const nameLen = frame.readUInt8(p);
        const name = frame.toString("utf8", p + 1, p + 1 + nameLen);
        p += 1 + nameLen;
        const type = frame.readUInt8(p);
        p += 1;
        if (type === 7) {
          const len = frame.readUInt16BE(p);
          headers[name] = frame.toString("utf8", p + 2, p + 2 + len);
          p += 2 + len;
        } else if (type === 6) p += 2 + frame.readUInt16BE(p);
        else if (type === 0 || type === 1) p += 0;
        else if (type === 2) p += 1;
        else if (type === 3) p += 2;
        else if (type === 4) p += 4;
        else if (type === 5 || type === 8) p += 8;
        else if (type === 9) p += 16;
        else throw new UpstreamError(0, "Bedrock sent an event stream header of unknown type.");
      }
      yield { headers, payload: frame.subarray(end, total - 4) };
    }
  }
}

/** Encodes one frame with string headers (the fake upstream in tests speaks it). */
export function encodeEventStreamMessage(headers: Record<string, string>, payload: Buffer | string): Buffer {
  const hParts: Buffer[] = [];
  for (const [k, v] of Object.entries(headers)) {
    const name = Buffer.from(k, "utf8");
    const value = Buffer.from(v, "utf8");
    const h = Buffer.alloc(1 + name.length + 1 + 2 + value.length);
    h.writeUInt8(name.length, 0);
    name.copy(h, 1);
    h.writeUInt8(7, 1 + name.length);
    h.writeUInt16BE(value.length, 2 + name.length);
    value.copy(h, 4 + name.length);
    hParts.push(h);
  }
  const hBuf = Buffer.concat(hParts);
  const body = typeof payload === "string" ? Buffer.from(payload, "utf8") : payload;
  const total = 12 + hBuf.length + body.length + 4;
  const out = Buffer.alloc(total);
  out.writeUInt32BE(total, 0);
  out.writeUInt32BE(hBuf.length, 4);
  out.writeUInt32BE(crc32(out.subarray(0, 8)), 8);
  hBuf.copy(out, 12);
  body.copy(out, 12 + hBuf.length);
  out.writeUInt32BE(crc32(out.subarray(0, total - 4)), total - 4);
  return out;
}
