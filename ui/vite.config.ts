/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// The UI is served by Tauri from `ui/dist` (custom protocol, CSP
// "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:"),
// so: relative asset URLs, no inline scripts or styles in the output.
export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Never inline assets as data: URLs into CSS/JS; keeps the CSP story simple.
    assetsInlineLimit: 0,
  },
  server: {
    port: 5173,
    strictPort: true,
    // The prompt renderer's Fluent files live in ../crates/prompt/locales (imported ?raw).
    fs: { allow: ['.', '..'] },
  },
  test: {
    environment: 'jsdom',
    include: ['test/**/*.test.ts'],
    restoreMocks: true,
  },
});
