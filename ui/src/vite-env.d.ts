/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** "1" runs the UI against the fixtures in src/dev/mock.ts instead of the Rust side. */
  readonly VITE_MOCK?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
