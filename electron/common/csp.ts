/**
 * The Content-Security-Policy of the workbench page, in browser mode and in the desktop app:
 * scripts and styles from the app itself only, no inline code, no plugins, no framing.
 */
export function contentSecurityPolicy(extraImageSources: readonly string[] = []): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    ["img-src 'self'", ...extraImageSources, 'data: blob:'].join(' '),
    "connect-src 'self'",
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
