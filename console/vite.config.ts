import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev -w @voltasis/console` serves the console with hot reload and sends the API and the
// session endpoints to a server started with `npm start` (port 3000).
const api = "http://127.0.0.1:3000";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The console's CSP allows no inline script: keep every asset a file, even small ones.
    assetsInlineLimit: 0,
  },
  server: {
    proxy: { "/v1": api, "/console/session": api },
  },
});
