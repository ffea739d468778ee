// Types for what the bundler adds to the page's modules: import.meta.glob, `?raw` imports, CSS imports.
/// <reference types="vite/client" />
