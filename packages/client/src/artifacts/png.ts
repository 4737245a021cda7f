/**
 * A PNG encoder on `CompressionStream("deflate")` (in Node 18+ and every current browser), so
 * images need no native codec. Takes 8-bit grey, RGB or RGBA pixels.
 */

/** Raw pixels, as in `ImageData`: row-major, `channels` values per pixel (1, 3 or 4). */
export interface Pixels {
  width: number;
  height: number;
  data: ArrayLike<number>;
  /** Values per pixel; inferred from the data length when omitted. */
  channels?: 1 | 3 | 4;
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

async function deflate(data: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * Checks the pixel layout and brings values to 0–255 bytes: floats in [0, 1] are scaled (as
 * MLflow's `log_image` does), anything outside 0–255 is refused.
 */
export function normalizePixels(p: Pixels): { width: number; height: number; channels: 1 | 3 | 4; bytes: Uint8Array } {
  const { width, height } = p;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new TypeError(`Invalid image size ${width}x${height}.`);
  }
  const channels = p.channels ?? p.data.length / (width * height);
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new TypeError(`Image data must have 1, 3 or 4 values per pixel (got ${channels}).`);
  }
  if (p.data.length !== width * height * channels) {
    throw new TypeError(`Image data has ${p.data.length} values; ${width}x${height}x${channels} expected.`);
  }
  let max = 0;
  let min = 0;
  let integral = true;
  for (let i = 0; i < p.data.length; i++) {
    const v = p.data[i] as number;
    if (v > max) max = v;
    if (v < min) min = v;
    if (integral && !Number.isInteger(v)) integral = false;
  }
  const isByteArray = p.data instanceof Uint8Array || p.data instanceof Uint8ClampedArray;
  const scale = !isByteArray && !integral ? 255 : 1;
  if (min < 0 || max * scale > 255) {
    throw new TypeError(
      scale === 255 ? "Float image values must lie in [0, 1]." : "Integer image values must lie in [0, 255].",
    );
  }
  const bytes = new Uint8Array(p.data.length);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Math.round((p.data[i] as number) * scale);
  return { width, height, channels, bytes };
}

export async function encodePng(p: Pixels): Promise<Uint8Array> {
  const { width, height, channels, bytes } = normalizePixels(p);
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  header[8] = 8;
  header[9] = channels === 1 ? 0 : channels === 3 ? 2 : 6;
  const stride = width * channels;
  const raw = new Uint8Array((stride + 1) * height);
  for (let y = 0; y < height; y++) raw.set(bytes.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", await deflate(raw)),
    chunk("IEND", new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of parts) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** Nearest-neighbour downscale to fit `max`×`max` (thumbnails for time-stepped images). */
export function thumbnail(p: Pixels, max: number): Pixels {
  const n = normalizePixels(p);
  const scale = Math.min(1, max / Math.max(n.width, n.height));
  const width = Math.max(1, Math.round(n.width * scale));
  const height = Math.max(1, Math.round(n.height * scale));
  const data = new Uint8Array(width * height * n.channels);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(n.height - 1, Math.floor(y / scale));
    for (let x = 0; x < width; x++) {
      const sx = Math.min(n.width - 1, Math.floor(x / scale));
      const from = (sy * n.width + sx) * n.channels;
      data.set(n.bytes.subarray(from, from + n.channels), (y * width + x) * n.channels);
    }
  }
  return { width, height, data, channels: n.channels };
}
