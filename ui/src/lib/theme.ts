// Light and dark themes: the choice is remembered in localStorage; without one, the system's
// preference decides. The theme is applied as `data-theme` on <html> (see app.css).

export type Theme = "light" | "dark";

const KEY = "dualwrite-studio.theme";

export function initialTheme(): Theme {
  try {
    const stored = localStorage.getItem(KEY);
    if (stored === "light" || stored === "dark") return stored;
  } catch {
    // Storage unavailable: fall through to the system preference.
  }
  const dark = typeof matchMedia === "function" && matchMedia("(prefers-color-scheme: dark)").matches;
  return dark ? "dark" : "light";
}

export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
}

/** Remembers a theme the user chose. */
export function rememberTheme(theme: Theme): void {
  try {
    localStorage.setItem(KEY, theme);
  } catch {
    // Not remembered; the theme still applies for this session.
  }
}
