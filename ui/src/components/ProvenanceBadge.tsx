import type { FieldProvenance } from "../bindings";
import { PROVENANCE_LABEL } from "../labels";

/** Icon and word for where a collected field came from; never colour alone. */
export function ProvenanceBadge({ provenance }: { provenance: FieldProvenance | undefined }) {
  if (provenance === undefined) {
    return (
      <span className="prov prov--unknown" data-testid="field-provenance" data-provenance="unknown" title="The bot did not say where this came from">
        source unknown
      </span>
    );
  }
  const l = PROVENANCE_LABEL[provenance];
  return (
    <span className={`prov prov--${provenance}`} data-testid="field-provenance" data-provenance={provenance} title={l.hint}>
      <ProvenanceIcon provenance={provenance} />
      {l.word}
    </span>
  );
}

function ProvenanceIcon({ provenance }: { provenance: FieldProvenance }) {
  const common = {
    width: 11,
    height: 11,
    viewBox: "0 0 12 12",
    "aria-hidden": true,
    className: "prov__icon",
    fill: "none",
    stroke: "currentColor",
    strokeWidth: 1.6,
    strokeLinecap: "round" as const,
    strokeLinejoin: "round" as const,
  };
  switch (provenance) {
    case "verified": // a check mark
      return (
        <svg {...common} strokeWidth={2}>
          <path d="M2 6.5 5 9.5 10 3" />
        </svg>
      );
    case "stated": // a speech bubble: the customer said so
      return (
        <svg {...common}>
          <path d="M2 2.5h8v5.5H5.5L3 10.2V8H2z" />
        </svg>
      );
    case "inferred": // a dotted circle: a guess
      return (
        <svg {...common} strokeDasharray="1.6 1.7">
          <circle cx="6" cy="6" r="4.4" />
        </svg>
      );
  }
}
