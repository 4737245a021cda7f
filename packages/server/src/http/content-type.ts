/** Content types for artifact downloads, by file name. Unknown names are octet-stream. */
const BY_EXTENSION: Record<string, string> = {
  txt: "text/plain",
  log: "text/plain",
  md: "text/plain",
  py: "text/plain",
  yaml: "text/plain",
  yml: "text/plain",
  json: "application/json",
  csv: "text/csv",
  tsv: "text/tab-separated-values",
  html: "text/html",
  htm: "text/html",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  bmp: "image/bmp",
  webp: "image/webp",
  pdf: "application/pdf",
  parquet: "application/octet-stream",
  pkl: "application/octet-stream",
  onnx: "application/octet-stream",
};
const TEXT_NAMES = new Set(["MLmodel", "MLproject", "Dockerfile", "requirements.txt", "conda.yaml"]);

export function contentTypeFor(name: string): string {
  const base = name.slice(name.lastIndexOf("/") + 1);
  if (TEXT_NAMES.has(base)) return "text/plain";
  const dot = base.lastIndexOf(".");
  if (dot < 0) return "application/octet-stream";
  return BY_EXTENSION[base.slice(dot + 1).toLowerCase()] ?? "application/octet-stream";
}
