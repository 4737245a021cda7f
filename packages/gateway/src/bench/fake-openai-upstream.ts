// A fake OpenAI upstream that answers every chat request at once with a fixed completion.
// Run as a child process by the benchmark; prints its URL on stdout.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const body = JSON.stringify({
  id: "chatcmpl-bench",
  object: "chat.completion",
  created: 1700000000,
  model: "bench-model",
  choices: [
    { index: 0, message: { role: "assistant", content: "Hello from the fake upstream." }, finish_reason: "stop" },
  ],
  usage: { prompt_tokens: 9, completion_tokens: 6, total_tokens: 15 },
});
const length = Buffer.byteLength(body);

const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "content-length": length });
    res.end(body);
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
