// The WebAssembly core. This first module fixes the ABI conventions the engine builds on:
// no imports (`--use abort=`), numeric exports only, addresses as network-order integers.

/** Version of the exported ABI; a host refuses a module whose major it does not know. */
export const ABI_VERSION: u32 = 0x0000_0001;

export function abiVersion(): u32 {
  return ABI_VERSION;
}

/** Does `network/prefix` contain `address`? IPv4, all three as host-order u32. */
export function contains4(network: u32, prefix: u32, address: u32): bool {
  if (prefix == 0) return true;
  if (prefix > 32) return false;
  const mask: u32 = 0xffff_ffff << (32 - prefix);
  return (address & mask) == (network & mask);
}
