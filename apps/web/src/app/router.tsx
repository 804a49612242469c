/**
 * A small router on the history API. Every view has a URL, so a message or a session can be linked
 * and reloaded (the server answers unknown non-/api paths with index.html):
 *   /                      inbox
 *   /messages/:id[/:tab]   a message, optionally on a tab
 *   /sessions              sessions
 *   /sessions/:id          one session's transcript
 */
import { useSyncExternalStore } from "react";
import type { AnchorHTMLAttributes, MouseEvent } from "react";

export type Route =
  | { name: "inbox" }
  | { name: "message"; id: string; tab: string | null }
  | { name: "sessions" }
  | { name: "session"; id: string }
  | { name: "not-found"; path: string };

/** Maps a pathname to a route; pure. */
export function parseRoute(pathname: string): Route {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { name: "inbox" };
  if (parts[0] === "messages" && parts[1] && parts.length <= 3) {
    return { name: "message", id: parts[1], tab: parts[2] ?? null };
  }
  if (parts[0] === "sessions" && parts.length === 1) return { name: "sessions" };
  if (parts[0] === "sessions" && parts[1] && parts.length === 2) return { name: "session", id: parts[1] };
  return { name: "not-found", path: pathname };
}

/** URL builders, so no view spells a path by hand. */
export const paths = {
  inbox: () => "/",
  message: (id: string, tab?: string) => `/messages/${encodeURIComponent(id)}${tab ? `/${tab}` : ""}`,
  sessions: () => "/sessions",
  session: (id: string) => `/sessions/${encodeURIComponent(id)}`,
};

const listeners = new Set<() => void>();

function subscribe(listener: () => void) {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", listener);
  };
}

/** Goes to `path` without a page load. */
export function navigate(path: string, options: { replace?: boolean } = {}) {
  if (path === window.location.pathname) return;
  if (options.replace) window.history.replaceState(null, "", path);
  else window.history.pushState(null, "", path);
  for (const listener of listeners) listener();
}

/** The current pathname, re-rendering on navigation. */
export function usePathname(): string {
  return useSyncExternalStore(subscribe, () => window.location.pathname);
}

/** The current route. */
export function useRoute(): Route {
  return parseRoute(usePathname());
}

/** An anchor that navigates in-app on a plain left click and behaves as a link otherwise. */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const handleClick = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return <a href={href} onClick={handleClick} {...rest} />;
}
