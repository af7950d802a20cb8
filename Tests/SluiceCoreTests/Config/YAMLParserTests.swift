import Testing
@testable import SluiceCore

@Suite struct YAMLParserTests {
    private func y(_ s: String) throws -> String { try ConfigTestSupport.yaml(s) }

    @Test func blockMapping_nested_parses() throws {
        #expect(try y("a: 1\nb:\n  c: x\n  d: y\n") == "{a=1,b={c=\"x\",d=\"y\"}}")
    }

    @Test func blockSequence_ofScalars_parses() throws {
        #expect(try y("- a\n- b\n- 3\n") == "[\"a\",\"b\",3]")
    }

    @Test func sequenceUnderKey_atSameIndent_parses() throws {
        #expect(try y("list:\n- a\n- b\nnext: 1\n") == "{list=[\"a\",\"b\"],next=1}")
    }

    @Test func sequenceUnderKey_indented_parses() throws {
        #expect(try y("list:\n  - a\n  - b\n") == "{list=[\"a\",\"b\"]}")
    }

    @Test func compactNestedMapping_inSequence_parses() throws {
        let text = "items:\n  - name: a\n    port: 1\n  - name: b\n    tags:\n      - x\n"
        #expect(try y(text) == "{items=[{name=\"a\",port=1},{name=\"b\",tags=[\"x\"]}]}")
    }

    @Test func compactNestedSequence_parses() throws {
        #expect(try y("- - a\n  - b\n- c\n") == "[[\"a\",\"b\"],\"c\"]")
    }

    @Test func sequenceItem_onNextLine_parses() throws {
        #expect(try y("-\n  a: 1\n-\n") == "[{a=1},~]")
    }

    @Test func emptyValues_areNull() throws {
        #expect(try y("a:\nb: ~\nc: null\nd: \"\"\n") == "{a=~,b=~,c=~,d=\"\"}")
    }

    @Test func flowSequence_andMapping_parse() throws {
        #expect(try y("a: [1, two, \"three\"]\nb: {k: v, n: 2}\n") == "{a=[1,\"two\",\"three\"],b={k=\"v\",n=2}}")
    }

    @Test func flowCollections_nested_andMultiLine_parse() throws {
        let text = "a: [\n  {x: 1, y: [p, q]},\n  {x: 2},   # comment\n]\n"
        #expect(try y(text) == "{a=[{x=1,y=[\"p\",\"q\"]},{x=2}]}")
    }

    @Test func flowMapping_withColonInValue_keepsIt() throws {
        #expect(try y("listen: {address: 127.0.0.1:8080}\n") == "{listen={address=\"127.0.0.1:8080\"}}")
        #expect(try y("u: [http://h:80/x]\n") == "{u=[\"http://h:80/x\"]}")
    }

    @Test func flowEmptyCollections_parse() throws {
        #expect(try y("a: []\nb: {}\n") == "{a=[],b={}}")
    }

    @Test func singleQuoted_doubledQuote_isEscape() throws {
        #expect(try y("a: 'it''s # not a comment'\n") == "{a=\"it's # not a comment\"}")
    }

    @Test func doubleQuoted_escapes_decode() throws {
        #expect(try y(#"a: "t\tn\n q\" b\\ u\u00e9 x\x41 U\U0001F600""#) == "{a=\"t\tn\\n q\" b\\ ué xA U😀\"}")
    }

    @Test func doubleQuoted_surrogatePair_decodes() throws {
        #expect(try y(#"a: "\ud83d\ude00""#) == "{a=\"😀\"}")
    }

    @Test func quotedScalar_multiLine_folds() throws {
        #expect(try y("a: \"one\n  two\n\n  three\"\n") == "{a=\"one two\\nthree\"}")
    }

    @Test func quotedKeys_parse() throws {
        #expect(try y("\"a b\": 1\n'c:d': 2\n") == "{a b=1,c:d=2}")
    }

    @Test func literalBlockScalar_keepsLines() throws {
        #expect(try y("a: |\n  line1\n    indented\n  line3\nb: 1\n") == "{a=\"line1\\n  indented\\nline3\\n\",b=1}")
    }

    @Test func foldedBlockScalar_joinsLines() throws {
        #expect(try y("a: >\n  one\n  two\n\n  three\n") == "{a=\"one two\\nthree\\n\"}")
    }

    @Test func blockScalar_chomping_stripAndKeep() throws {
        #expect(try y("a: |-\n  x\n\nb: 1\n") == "{a=\"x\",b=1}")
        #expect(try y("a: |+\n  x\n\n\nb: 1\n") == "{a=\"x\\n\\n\\n\",b=1}")
        #expect(try y("a: |\n  x\n\n\nb: 1\n") == "{a=\"x\\n\",b=1}")
    }

    @Test func blockScalar_explicitIndent_keepsLeadingSpaces() throws {
        #expect(try y("a: |2\n    x\n  y\n") == "{a=\"  x\\ny\\n\"}")
    }

    @Test func blockScalar_hashInside_isContent() throws {
        #expect(try y("a: |\n  # not a comment\nb: 2\n") == "{a=\"# not a comment\\n\",b=2}")
    }

    @Test func blockScalar_empty_isEmptyString() throws {
        #expect(try y("a: |\nb: 1\n") == "{a=\"\",b=1}")
    }

    @Test func comments_everywhere_areIgnored() throws {
        let text = "# head\na: 1 # trailing\n\n  # indented comment\nb: x#not-comment\n"
        #expect(try y(text) == "{a=1,b=\"x#not-comment\"}")
    }

    @Test func plainScalar_multiLine_folds() throws {
        #expect(try y("a: one\n  two\nb: 1\n") == "{a=\"one two\",b=1}")
    }

    @Test func leadingDocumentMarker_isAllowed() throws {
        #expect(try y("---\na: 1\n") == "{a=1}")
    }

    @Test func crlfLineEnds_andBOM_areAccepted() throws {
        #expect(try y("\u{FEFF}a: 1\r\nb:\r\n  - x\r\n") == "{a=1,b=[\"x\"]}")
    }

    @Test func emptyDocument_isNil() throws {
        #expect(try y("# only a comment\n\n") == "<empty>")
    }

    @Test func tabsAfterIndentation_areSeparators() throws {
        #expect(try y("a:\t1\n") == "{a=1}")
    }

    @Test func positions_areOneBased_lineAndColumn() throws {
        let root = try #require(try YAMLParser.parse(Array("a:\n  b: [x, 'y']\n".utf8)))
        let a = try #require(root.mappingEntries?.first)
        #expect((a.keyLine, a.keyColumn) == (1, 1))
        let b = try #require(a.value.mappingEntries?.first)
        #expect((b.keyLine, b.keyColumn) == (2, 3))
        #expect((b.value.line, b.value.column) == (2, 6))
        let items = try #require(b.value.sequenceItems)
        #expect((items[1].line, items[1].column) == (2, 10))
    }

    @Test func columns_countUnicodeScalars() throws {
        let e = try #require(ConfigTestSupport.yamlError("k: \"é\" &x\n"))
        #expect((e.line, e.column) == (1, 8))
    }
}

extension YAMLParserTests {
    @Test func blockScalarsInSequence_andFoldedMoreIndented() throws {
        #expect(try y("- |\n  a\n  b\n- >\n  p\n    q\n  r\n") == "[\"a\\nb\\n\",\"p\\n  q\\nr\\n\"]")
    }

    @Test func commentsBetweenEntries_atAnyIndent_areSkipped() throws {
        #expect(try y("a:\n  b: 1\n# top\n      # deep\n  c: 2\n") == "{a={b=1,c=2}}")
    }

    @Test func keyWithSpacesBeforeColon_isTrimmed() throws {
        #expect(try y("key   : v\n") == "{key=\"v\"}")
    }

    @Test func flowMapping_keyWithoutValue_isNull() throws {
        #expect(try y("a: {k, j: 1}\n") == "{a={k=~,j=1}}")
    }

    @Test func trailingCommaInFlow_isAccepted() throws {
        #expect(try y("a: [1, 2,]\n") == "{a=[1,2]}")
    }
}
