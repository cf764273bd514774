import type { ActionStatus, CallState } from "../bindings";

/**
 * ✓ ✗ ⛔ ⏳ drawn as SVG: the emoji forms are missing from common Linux fonts (DejaVu), and an
 * empty box would leave only the colour. Always shown next to the status word.
 */
export function StatusIcon({ status }: { status: ActionStatus | CallState }) {
  const common = {
    width: 12,
    height: 12,
    viewBox: "0 0 12 12",
    "aria-hidden": true,
    className: "status-icon",
    fill: "none",
    stroke: "currentColor",
    strokeWidth: 1.8,
    strokeLinecap: "round" as const,
    strokeLinejoin: "round" as const,
  };
  switch (status) {
    case "succeeded":
      return (
        <svg {...common}>
          <path d="M2 6.5 5 9.5 10 3" />
        </svg>
      );
    case "failed":
      return (
        <svg {...common}>
          <path d="M3 3 9 9M9 3 3 9" />
        </svg>
      );
    case "denied":
      return (
        <svg {...common}>
          <circle cx="6" cy="6" r="4.8" />
          <path d="M3.4 6h5.2" />
        </svg>
      );
    case "approved":
      return (
        <svg {...common}>
          <circle cx="6" cy="6" r="4.8" />
          <path d="M3.8 6.2 5.4 7.8 8.3 4.4" />
        </svg>
      );
    case "executing":
      return (
        <svg {...common}>
          <path d="M10 6a4 4 0 1 1-1.2-2.85" />
          <path d="M9.2 1.4v2.2H7" />
        </svg>
      );
    case "expired":
      return (
        <svg {...common} strokeWidth={1.4}>
          <circle cx="6" cy="6" r="4.8" />
          <path d="M6 3.2V6l2 1.4" />
        </svg>
      );
    case "proposed":
    case "pending":
      return (
        <svg {...common} strokeWidth={1.4}>
          <path d="M3 1.5h6M3 10.5h6M3.5 1.5c0 3 5 3 5 4.5s-5 1.5-5 4.5M8.5 1.5c0 3-5 3-5 4.5s5 1.5 5 4.5" />
        </svg>
      );
  }
}
