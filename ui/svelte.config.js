import { vitePreprocess } from "@sveltejs/vite-plugin-svelte";

export default {
  preprocess: vitePreprocess(),
  compilerOptions: {
    // Component CSS goes to a file, never a <style> element at run time (strict CSP).
    css: "external",
  },
};
