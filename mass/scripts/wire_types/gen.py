"""Generates the Mass wire structs, open enums and contract samples from defs.py.

Usage: python3 gen.py OUT_DIR. Writes <module>_types.rs (pasted below the client code of
mass/src/<module>.rs), <module>_samples.rs (mass/src/contract/samples.rs) and cases.rs (the
cases() list in mass/src/contract.rs); then run cargo fmt. The output is committed Rust; this
script only keeps the field lists, samples and contract cases in one place.
"""
import os
import re, sys, json
from defs import MODULES

def snake(name):
    s = re.sub(r'([a-z0-9])([A-Z])', r'\1_\2', name)
    s = re.sub(r'([A-Z]+)([A-Z][a-z])', r'\1_\2', s)
    s = s.lower()
    if s == 'type': s = 'kind'
    return s

def camel_of(snake_name):
    parts = snake_name.split('_')
    return parts[0] + ''.join(p[:1].upper() + p[1:] for p in parts[1:])

def variant(wire):
    return ''.join(p[:1].upper() + p[1:].lower() for p in wire.split('_'))

def rtype(t):
    if t == 'str': return 'String'
    if t in ('i32','i64','f64','bool'): return t
    if t == 'value': return 'serde_json::Value'
    if t.startswith('E:') or t.startswith('S:'): return t[2:]
    if t.startswith('['): return 'Vec<%s>' % rtype(t[1:-1])
    if t.startswith('{'): return 'std::collections::BTreeMap<String, %s>' % rtype(t[1:-1])
    raise Exception(t)

def sample(t, enums):
    if t == 'str': return '"x".to_owned()'
    if t == 'i32': return '1'
    if t == 'i64': return '1'
    if t == 'f64': return '1.5'
    if t == 'bool': return 'true'
    if t == 'value': return 'serde_json::json!({})'
    if t.startswith('E:'):
        return '%s::%s' % (t[2:], variant(enums[t[2:]][0]))
    if t.startswith('S:'): return '%s::contract_sample()' % t[2:]
    if t.startswith('['): return 'vec![%s]' % sample(t[1:-1], enums)
    if t.startswith('{'): return 'std::collections::BTreeMap::from([("k".to_owned(), %s)])' % sample(t[1:-1], enums)

def gen_module(mod):
    enums = {}
    for m in MODULES.values():
        for e in m.get('enums', []): enums[e[0]] = e[2]
    out = []
    for (name, doc, values) in mod.get('enums', []):
        out.append('crate::open_enum!(\n    /// %s\n    %s {' % (doc, name))
        for v in values:
            out.append('        /// `%s`.\n        %s => "%s",' % (v, variant(v), v))
        out.append('    }\n);\n')
    samples = []
    for (name, doc, schema, fields, *rest) in mod['structs']:
        derives = 'Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize'
        if rest and 'nodefault' in rest[0]: derives = derives.replace('Default, ', '')
        out.append('/// %s' % doc)
        if schema: out.append('///\n/// Wire schema: `%s`.' % schema)
        out.append('#[derive(%s)]' % derives)
        out.append('#[serde(rename_all = "camelCase")]')
        vis = 'pub(crate)' if (rest and 'private' in rest[0]) else 'pub'
        out.append('%s struct %s {' % (vis, name))
        sfields = []
        for (wire, t, fdoc, req) in fields:
            fname = snake(wire)
            attrs = []
            if camel_of(fname) != wire: attrs.append('rename = "%s"' % wire)
            ty = rtype(t)
            if t.startswith('['):
                attrs.append('default, skip_serializing_if = "Vec::is_empty"')
            elif t.startswith('{'):
                attrs.append('default, skip_serializing_if = "std::collections::BTreeMap::is_empty"')
            elif not req:
                ty = 'Option<%s>' % ty
                attrs.append('default, skip_serializing_if = "Option::is_none"')
            out.append('    /// %s' % fdoc)
            if attrs: out.append('    #[serde(%s)]' % ', '.join(attrs))
            if fname in ('type','ref','match','move'): fname = 'r#' + fname
            out.append('    pub %s: %s,' % (fname, ty))
            sv = sample(t, enums)
            if not req and not t.startswith('[') and not t.startswith('{'): sv = 'Some(%s)' % sv
            sfields.append('            %s: %s,' % (fname, sv))
        out.append('}\n')
        samples.append('impl %s {\n    /// Every field set, for the contract test.\n    pub(crate) fn contract_sample() -> %s {\n        %s {\n%s\n        }\n    }\n}\n' % (name, name, name, '\n'.join(sfields)))
    return '\n'.join(out), '\n'.join(samples)

if __name__ == '__main__':
    OUT = sys.argv[1]
    for modname, mod in MODULES.items():
        types, samples = gen_module(mod)
        open(os.path.join(OUT, '%s_types.rs' % modname), 'w').write(types)
        open(os.path.join(OUT, '%s_samples.rs' % modname), 'w').write(samples)
    cases = []
    for modname, mod in MODULES.items():
        for (name, doc, schema, fields, *rest) in mod['structs']:
            if schema:
                spec, sch = schema.split('#')
                cases.append('        ("%s", "%s", to_value(crate::%s::%s::contract_sample())),' % (spec, sch, modname, name))
    open(os.path.join(OUT, 'cases.rs'), 'w').write('\n'.join(cases))
