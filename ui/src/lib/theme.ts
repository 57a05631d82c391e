import type { Theme } from "./bindings/Theme";

/**
 * Applies a theme to the document. `system` follows the OS through the `prefers-color-scheme`
 * media query in app.css; `light` and `dark` override it.
 */
export function applyTheme(theme: Theme, root: HTMLElement = document.documentElement): void {
  root.dataset.theme = theme;
}

export const THEME_LABELS: Record<Theme, string> = {
  system: "Match system",
  light: "Light",
  dark: "Dark",
};
