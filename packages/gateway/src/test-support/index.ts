export * from "./fake-upstream.js";
export * from "./test-gateway.js";
