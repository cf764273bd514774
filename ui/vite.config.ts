import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// Tauri serves the built files from the app's root and, in development, loads the dev server
// on a fixed port (src-tauri/tauri.conf.json: build.devUrl = http://localhost:1420).
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  envPrefix: ["VITE_", "TAURI_ENV_"],
  server: {
    port: 1420,
    strictPort: true,
    watch: { ignored: ["**/src-tauri/**", "**/target/**"] },
  },
  preview: { port: 1421, strictPort: true },
  build: {
    // Linux webview is WebKitGTK 2.50 (Safari 18 class); macOS/Windows webviews are newer.
    target: "safari16",
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
    // findBy*/waitFor wait up to 5 s (src/test/setup.ts); a test gets room for several of them.
    testTimeout: 30_000,
  },
});
