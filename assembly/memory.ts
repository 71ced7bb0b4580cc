// A bump allocator over linear memory. The core never frees one object at a time: a host
// allocates the bundle and its batch buffers once per engine instance, and temporary scratch
// space is released with mark/reset. Growth failure returns 0 instead of trapping.

let top: usize = (__heap_base + 15) & ~(<usize>15);

export function allocate(size: usize): usize {
  const ptr = top;
  const end = (ptr + size + 15) & ~(<usize>15);
  if (end < ptr || end > <usize>0xffff0000) return 0;
  const have = <usize>memory.size() << 16;
  if (end > have) {
    const pages = (end - have + 0xffff) >> 16;
    if (memory.grow(<i32>pages) < 0) return 0;
  }
  top = end;
  return ptr;
}

export function mark(): usize {
  return top;
}

export function reset(to: usize): void {
  top = to;
}
