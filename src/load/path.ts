/** A field path as the API server renders it: `spec.ingress[0].ports[1].endPort`. */
export type FieldPath = readonly (string | number)[];

export function renderPath(path: FieldPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out;
}
