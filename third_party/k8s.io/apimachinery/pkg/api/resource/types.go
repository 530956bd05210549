
// Vendored by scripts/gen-protobuf.ts: the type declarations of , comments removed.

package x


