import { useNow } from "../clock";
import { formatAgo, formatExact } from "../time";

/** "6 min ago", with the exact local time on hover. */
export function RelativeTime({ atMs, className }: { atMs: number; className?: string }) {
  const now = useNow();
  const iso = Number.isFinite(atMs) ? new Date(atMs).toISOString() : undefined;
  return (
    <time className={className} dateTime={iso} title={formatExact(atMs)}>
      {formatAgo(atMs, now)}
    </time>
  );
}
