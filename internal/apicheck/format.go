package main

import (
	"fmt"
	"go/types"
	"slices"
	"strings"
)

// PackageAPI returns one line per exported identifier of pkg, sorted:
//
//	const Name Type = value
//	var Name Type
//	func Name(params) results
//	type Name struct                    and a line per exported field:
//	type Name struct, Field Type        (embedded: "type Name struct, embedded Type")
//	type Name interface                 and a line per method:
//	type Name interface, Method(params) results
//	type Name underlying                for other defined types
//	type Name = Other                   for aliases
//	method (Name) Method(params) results      a method of the value's method set
//	method (*Name) Method(params) results     a method only a pointer has
//
// Types from other packages are qualified by package name, parameter
// names are left out (renaming one is not an API change), and methods
// promoted from embedded fields are listed like declared ones.
func PackageAPI(pkg *types.Package) []string {
	f := formatter{pkg: pkg}
	scope := pkg.Scope()
	var lines []string
	for _, name := range scope.Names() {
		obj := scope.Lookup(name)
		if !obj.Exported() {
			continue
		}
		switch obj := obj.(type) {
		case *types.Const:
			lines = append(lines, fmt.Sprintf("const %s %s = %s", name, f.typ(obj.Type()), obj.Val().ExactString()))
		case *types.Var:
			lines = append(lines, fmt.Sprintf("var %s %s", name, f.typ(obj.Type())))
		case *types.Func:
			sig := obj.Type().(*types.Signature)
			lines = append(lines, "func "+name+f.typeParams(sig.TypeParams())+f.signature(sig))
		case *types.TypeName:
			lines = append(lines, f.typeName(obj)...)
		}
	}
	slices.Sort(lines)
	return slices.Compact(lines)
}

// formatter writes types relative to one package.
type formatter struct{ pkg *types.Package }

// qualify names other packages by their name, and the package itself not
// at all.
func (f formatter) qualify(p *types.Package) string {
	if p == f.pkg {
		return ""
	}
	return p.Name()
}

// typ writes a type; a function type is written without parameter names.
func (f formatter) typ(t types.Type) string {
	if sig, ok := t.(*types.Signature); ok {
		return "func" + f.signature(sig)
	}
	return types.TypeString(t, f.qualify)
}

// signature writes "(params) results" without names.
func (f formatter) signature(sig *types.Signature) string {
	params := make([]string, sig.Params().Len())
	for i := range params {
		t := sig.Params().At(i).Type()
		if sig.Variadic() && i == len(params)-1 {
			params[i] = "..." + f.typ(t.(*types.Slice).Elem())
			continue
		}
		params[i] = f.typ(t)
	}
	s := "(" + strings.Join(params, ", ") + ")"
	results := make([]string, sig.Results().Len())
	for i := range results {
		results[i] = f.typ(sig.Results().At(i).Type())
	}
	switch len(results) {
	case 0:
		return s
	case 1:
		return s + " " + results[0]
	}
	return s + " (" + strings.Join(results, ", ") + ")"
}

// typeParams writes "[T constraint, ...]", or nothing.
func (f formatter) typeParams(tps *types.TypeParamList) string {
	if tps.Len() == 0 {
		return ""
	}
	parts := make([]string, tps.Len())
	for i := range parts {
		tp := tps.At(i)
		parts[i] = tp.Obj().Name() + " " + f.typ(tp.Constraint())
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// typeName writes a type declaration and everything exported it carries.
func (f formatter) typeName(obj *types.TypeName) []string {
	name := obj.Name()
	if obj.IsAlias() {
		return []string{fmt.Sprintf("type %s = %s", name, f.typ(types.Unalias(obj.Type())))}
	}
	named, ok := obj.Type().(*types.Named)
	if !ok {
		return []string{fmt.Sprintf("type %s %s", name, f.typ(obj.Type().Underlying()))}
	}
	decl := "type " + name + f.typeParams(named.TypeParams())
	var lines []string
	switch u := named.Underlying().(type) {
	case *types.Struct:
		lines = append(lines, decl+" struct")
		for i := range u.NumFields() {
			fld := u.Field(i)
			switch {
			case !fld.Exported():
			case fld.Embedded():
				lines = append(lines, fmt.Sprintf("%s struct, embedded %s", decl, f.typ(fld.Type())))
			default:
				lines = append(lines, fmt.Sprintf("%s struct, %s %s", decl, fld.Name(), f.typ(fld.Type())))
			}
		}
	case *types.Interface:
		lines = append(lines, decl+" interface")
		for i := range u.NumMethods() {
			m := u.Method(i)
			if !m.Exported() {
				lines = append(lines, decl+" interface, unexported methods")
				continue
			}
			lines = append(lines, fmt.Sprintf("%s interface, %s%s", decl, m.Name(), f.signature(m.Type().(*types.Signature))))
		}
		return lines
	default:
		lines = append(lines, decl+" "+f.typ(u))
	}
	return append(lines, f.methods(named)...)
}

// methods writes the exported methods of a defined type: those of its
// value's method set with the value receiver, the rest with the pointer.
func (f formatter) methods(named *types.Named) []string {
	name := named.Obj().Name()
	values := types.NewMethodSet(named)
	var lines []string
	for sel := range types.NewMethodSet(types.NewPointer(named)).Methods() {
		m := sel.Obj()
		if !m.Exported() {
			continue
		}
		recv := "*" + name
		if values.Lookup(m.Pkg(), m.Name()) != nil {
			recv = name
		}
		lines = append(lines, fmt.Sprintf("method (%s) %s%s", recv, m.Name(), f.signature(m.Type().(*types.Signature))))
	}
	return lines
}
