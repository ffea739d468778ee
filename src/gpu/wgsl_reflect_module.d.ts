// wgsl_reflect 1.6's package.json marks the package "type": "module" but its "main" is a CommonJS build,
// so Node cannot import the bare name; its ES module build is the same code and carries these types.
declare module 'wgsl_reflect/wgsl_reflect.module.js' {
  export * from 'wgsl_reflect';
}
