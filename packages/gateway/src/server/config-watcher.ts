import { type FSWatcher, readFile, unwatchFile, watch, watchFile } from "node:fs";
import { basename, dirname } from "node:path";

/**
 * Watches one file for content changes: the directory is watched (editors and `mv` replace the
 * file rather than write it), with a 1 s poll as a safety net. `onChange` gets the new text only
 * when it differs from the last text seen; `onMissing` is called when the file disappears.
 */
export function watchConfigFile(
  path: string,
  initialText: string,
  onChange: (text: string) => void,
  onMissing: () => void,
): () => void {
  let last = initialText;
  let missing = false;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const check = () => {
    timer = undefined;
    readFile(path, "utf8", (err, text) => {
      if (closed) return;
      if (err) {
        if (!missing) {
          missing = true;
          onMissing();
        }
        return;
      }
      missing = false;
      if (text === last) return;
      last = text;
      onChange(text);
    });
  };
  const schedule = () => {
    if (!closed && !timer) timer = setTimeout(check, 50);
  };
  const name = basename(path);
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(path), (_event, filename) => {
      if (!filename || filename === name) schedule();
    });
    watcher.on("error", () => {});
  } catch {
    watcher = undefined;
  }
  watchFile(path, { interval: 1000, persistent: false }, schedule);
  return () => {
    closed = true;
    if (timer) clearTimeout(timer);
    watcher?.close();
    unwatchFile(path);
  };
}
