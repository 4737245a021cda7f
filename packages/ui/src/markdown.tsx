// Markdown rendering for descriptions (runs, registered models, versions), loaded as its own chunk
// the first time a description is shown. react-markdown builds React elements from the syntax tree
// and never injects raw HTML, so a description cannot run script; links open in a new tab.
import { Typography } from "@mantine/core";
import ReactMarkdown from "react-markdown";
import remarkGfm from "remark-gfm";

export default function Markdown({ source }: { source: string }) {
  return (
    <Typography fz="sm" className="mlflowts-markdown">
      <ReactMarkdown
        remarkPlugins={[remarkGfm]}
        components={{
          a: ({ href, children }) => (
            <a href={href} target="_blank" rel="noreferrer noopener">
              {children}
            </a>
          ),
        }}
      >
        {source}
      </ReactMarkdown>
    </Typography>
  );
}
