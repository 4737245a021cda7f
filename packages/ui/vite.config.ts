import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The server serves index.html at `{prefix}/` and assets at `{prefix}/static-files/` (MLflow's
// path). A relative base keeps the bundle working under any --static-prefix.
const target = process.env.MLFLOW_TRACKING_URI ?? "http://127.0.0.1:5000";

export default defineConfig({
  base: "./",
  plugins: [react()],
  build: {
    outDir: "dist",
    assetsDir: "static-files",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: Object.fromEntries(["/api", "/ajax-api", "/get-artifact", "/model-versions"].map((p) => [p, target])),
  },
});
