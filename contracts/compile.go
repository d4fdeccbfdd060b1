// Package contracts is novagen's knowledge of API contracts (the catalog's
// spec.contracts): it compiles proto files with protocompile, a real
// protobuf compiler, keeps the facts the documentation needs (services,
// RPCs, messages), and renders the data of the contract ConfigMaps (the
// definitions, versions, service registry and docs). It reads no files
// and imports nothing of novagen but naming and contracts/registry (its
// plain data, which the model and generators share without protobuf): the
// catalog loader (catalog/load)
// reads the files, calls it at load time and checks the sizes, so a
// catalog that loads never makes the generator fail.
package contracts

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"slices"
	"strings"

	"github.com/bufbuild/protocompile"
	"github.com/bufbuild/protocompile/linker"
	"github.com/bufbuild/protocompile/reporter"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Source is one proto file as the catalog lists it: its path relative to
// the proto root (its import path) and its content.
type Source struct {
	Path    string
	Content string
}

// File is a compiled proto file and the facts about it the docs and the
// versions ConfigMap need.
type File struct {
	Source
	SHA256   string
	Package  string
	Imports  []string
	Services []Service
	Messages []Message
	Enums    []Enum
}

// Service is a proto service and its RPCs, in file order.
type Service struct {
	FullName string
	Comment  string
	Methods  []Method
}

// Method is one RPC.
type Method struct {
	Name            string
	Input, Output   string // full names of the request and response
	ClientStreaming bool
	ServerStreaming bool
	Comment         string
}

// Message is a message type (nested ones too), with its fields.
type Message struct {
	FullName string
	Comment  string
	Fields   []Field
}

// Field is one field of a message.
type Field struct {
	Name    string
	Number  int32
	Type    string // scalar kind, or the full name of a message or enum; map<K, V> for maps
	Label   string // "repeated", "optional" or ""
	Comment string
}

// Enum is an enum type and its values.
type Enum struct {
	FullName string
	Comment  string
	Values   []string
}

// Problem is one compiler finding, located in a proto file (Path is the
// import path; Line and Column are 1-based, 0 when unknown).
type Problem struct {
	Path         string
	Line, Column int
	Message      string
}

// Compile compiles the sources in memory: imports resolve among them and
// the standard google/protobuf files, nothing else. It returns the files
// in the order given, or every problem the compiler found.
func Compile(sources []Source) ([]File, []Problem) {
	byPath := map[string]string{}
	var paths []string
	for _, s := range sources {
		byPath[s.Path] = s.Content
		paths = append(paths, s.Path)
	}
	var problems []Problem
	rep := reporter.NewReporter(func(err reporter.ErrorWithPos) error {
		pos := err.GetPosition()
		problems = append(problems, Problem{Path: pos.Filename, Line: pos.Line, Column: pos.Col, Message: message(err)})
		return nil // keep going: report every problem at once
	}, nil)
	c := protocompile.Compiler{
		Resolver: protocompile.WithStandardImports(&protocompile.SourceResolver{
			Accessor: protocompile.SourceAccessorFromMap(byPath),
		}),
		Reporter:       rep,
		SourceInfoMode: protocompile.SourceInfoStandard,
	}
	res, err := c.Compile(context.Background(), paths...)
	if err != nil || len(problems) > 0 {
		// Some failures (a missing import) end the compile without going
		// through the reporter.
		var located reporter.ErrorWithPos
		if len(problems) == 0 && errors.As(err, &located) {
			pos := located.GetPosition()
			problems = append(problems, Problem{Path: pos.Filename, Line: pos.Line, Column: pos.Col, Message: message(located)})
		} else if len(problems) == 0 {
			problems = append(problems, Problem{Message: err.Error()})
		}
		slices.SortStableFunc(problems, func(a, b Problem) int {
			return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
		})
		return nil, slices.Compact(problems)
	}
	out := make([]File, len(res))
	for i, f := range res {
		out[i] = facts(sources[i], f)
	}
	return out, nil
}

// message is the compiler's message without its position; a missing
// import says which file is missing and where imports come from.
func message(err reporter.ErrorWithPos) string {
	inner := errors.Unwrap(err)
	if inner == nil {
		inner = err
	}
	if errors.Is(inner, fs.ErrNotExist) {
		return inner.Error() + ": imports resolve only among the listed files and the standard google/protobuf ones"
	}
	return inner.Error()
}

// facts reads what the docs need from a linked file.
func facts(src Source, f linker.File) File {
	sum := sha256.Sum256([]byte(src.Content))
	out := File{Source: src, SHA256: hex.EncodeToString(sum[:]), Package: string(f.Package())}
	imports := f.Imports()
	for i := range imports.Len() {
		out.Imports = append(out.Imports, imports.Get(i).Path())
	}
	locs := f.SourceLocations()
	comment := func(d protoreflect.Descriptor) string {
		return strings.TrimSpace(locs.ByDescriptor(d).LeadingComments)
	}
	svcs := f.Services()
	for i := range svcs.Len() {
		s := svcs.Get(i)
		svc := Service{FullName: string(s.FullName()), Comment: comment(s)}
		ms := s.Methods()
		for j := range ms.Len() {
			m := ms.Get(j)
			svc.Methods = append(svc.Methods, Method{
				Name: string(m.Name()), Input: string(m.Input().FullName()), Output: string(m.Output().FullName()),
				ClientStreaming: m.IsStreamingClient(), ServerStreaming: m.IsStreamingServer(), Comment: comment(m),
			})
		}
		out.Services = append(out.Services, svc)
	}
	var walk func(protoreflect.MessageDescriptors, protoreflect.EnumDescriptors)
	walk = func(msgs protoreflect.MessageDescriptors, enums protoreflect.EnumDescriptors) {
		for i := range enums.Len() {
			e := enums.Get(i)
			en := Enum{FullName: string(e.FullName()), Comment: comment(e)}
			vs := e.Values()
			for j := range vs.Len() {
				en.Values = append(en.Values, string(vs.Get(j).Name()))
			}
			out.Enums = append(out.Enums, en)
		}
		for i := range msgs.Len() {
			m := msgs.Get(i)
			if m.IsMapEntry() {
				continue
			}
			msg := Message{FullName: string(m.FullName()), Comment: comment(m)}
			fs := m.Fields()
			for j := range fs.Len() {
				fd := fs.Get(j)
				msg.Fields = append(msg.Fields, Field{Name: string(fd.Name()), Number: int32(fd.Number()), Type: typeName(fd), Label: label(fd), Comment: comment(fd)})
			}
			out.Messages = append(out.Messages, msg)
			walk(m.Messages(), m.Enums())
		}
	}
	walk(f.Messages(), f.Enums())
	return out
}

func typeName(fd protoreflect.FieldDescriptor) string {
	if fd.IsMap() {
		return "map<" + typeName(fd.MapKey()) + ", " + typeName(fd.MapValue()) + ">"
	}
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		return string(fd.Message().FullName())
	case protoreflect.EnumKind:
		return string(fd.Enum().FullName())
	}
	return fd.Kind().String()
}

func label(fd protoreflect.FieldDescriptor) string {
	switch {
	case fd.IsMap():
		return ""
	case fd.Cardinality() == protoreflect.Repeated:
		return "repeated"
	case fd.HasPresence() && fd.ContainingOneof() != nil && fd.ContainingOneof().IsSynthetic():
		return "optional"
	}
	return ""
}
