// Small inline icons (no icon font: headless browsers and minimal systems lack emoji fonts).
const common = { width: 14, height: 14, viewBox: "0 0 24 24", fill: "none", stroke: "currentColor", strokeWidth: 2 };

export function FolderIcon() {
  return (
    <svg
      {...common}
      aria-hidden="true"
      style={{ verticalAlign: -2, marginRight: 6, color: "var(--mantine-color-yellow-6)" }}
    >
      <path d="M3 6a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z" />
    </svg>
  );
}

export function FileIcon() {
  return (
    <svg
      {...common}
      aria-hidden="true"
      style={{ verticalAlign: -2, marginRight: 6, color: "var(--mantine-color-dimmed)" }}
    >
      <path d="M14 3H7a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V8z" />
      <path d="M14 3v5h5" />
    </svg>
  );
}
