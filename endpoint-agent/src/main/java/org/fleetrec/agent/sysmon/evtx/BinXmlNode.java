package org.fleetrec.agent.sysmon.evtx;

import java.util.List;

/**
 * Binary XML decoded into a tree, before any substitution is filled in: a template definition is
 * decoded once per chunk and rendered for every record that uses it.
 */
sealed interface BinXmlNode {
    record Element(String name, List<Attribute> attributes, List<BinXmlNode> content) implements BinXmlNode {
    }

    record Attribute(String name, List<BinXmlNode> value) {
    }

    record Text(String text) implements BinXmlNode {
    }

    record CharRef(int code) implements BinXmlNode {
    }

    record EntityRef(String name) implements BinXmlNode {
    }

    record CData(String text) implements BinXmlNode {
    }

    record Pi(String target, String data) implements BinXmlNode {
    }

    /** Stands for template value {@code index}; an optional one whose value is NULL removes its element or attribute. */
    record Substitution(int index, int declaredType, boolean optional) implements BinXmlNode {
    }

    record TemplateInstance(Template template, List<Value> values) implements BinXmlNode {
    }

    /** A template definition: where it starts in the chunk, and its decoded fragment. */
    record Template(int offset, List<BinXmlNode> nodes) {
    }

    /** One template value: its type and where its bytes lie in the chunk. */
    record Value(int type, int offset, int size) {
        static final int ARRAY = 0x80;
        static final int NULL = 0x00;
        static final int BINXML = 0x21;

        int baseType() {
            return type & 0x7f;
        }

        boolean isArray() {
            return (type & ARRAY) != 0;
        }

        boolean isNull() {
            return type == NULL;
        }
    }
}
