import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { AppStatus, ServerLink } from "../bindings";
import { on } from "../ipc";
import { formatClock } from "../time";

/**
 * Team mode: the team server this desk works on, kept current by `server-link`. When it comes
 * back after being offline, everything shown is read again.
 */
export function useServerLink(status: AppStatus | undefined): ServerLink | null {
  const client = useQueryClient();
  const [link, setLink] = useState<ServerLink | null>(status?.server ?? null);
  useEffect(() => {
    if (status?.server) setLink((l) => l ?? status.server);
  }, [status?.server]);
  useEffect(() => {
    const offLink = on("server-link", (next) => {
      setLink((prev) => {
        if (prev && !prev.online && next.online) void client.invalidateQueries();
        return next;
      });
    });
    // Away longer than the server keeps its events: everything is read again.
    const offResync = on("desk-resync", () => void client.invalidateQueries());
    return () => {
      offLink();
      offResync();
    };
  }, [client]);
  return link;
}

function host(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** Under the top bar while the team server cannot be reached: what still works, and what not. */
export function OfflineBanner({ link }: { link: ServerLink | null }) {
  // The slot stays in the layout's grid; it is empty while the server answers.
  return (
    <div className="app__banner">
      {link && !link.online && (
        <div className="offline-banner" role="alert" data-testid="offline-banner" title={link.last_error ?? undefined}>
          <strong>Offline — read only.</strong> The team server {host(link.url)} cannot be reached since {formatClock(link.since_ms)}. You see what this desk last read; claiming, replying and approving are refused until it is back. Reconnecting…
        </div>
      )}
    </div>
  );
}

/** The status line's part in team mode: which server, and whether it answers (in words, not only colour). */
export function ServerHealth({ link }: { link: ServerLink }) {
  return (
    <span
      className={`statusline__source${link.online ? "" : " statusline__source--error"}`}
      data-testid="server-status"
      data-state={link.online ? "online" : "offline"}
      title={link.url + (link.last_error ? `\n${link.last_error}` : "")}
    >
      {link.online ? `Team server ${host(link.url)}` : `⚠ Team server ${host(link.url)}: offline`}
    </span>
  );
}
