package org.prefixmoe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** What a downstream project gets from the pom: no command-line or plotting libraries, no test framework. */
class PomTest {
    private static Document pom() throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("pom.xml").toFile());
    }

    private static String child(Element e, String name) {
        NodeList l = e.getElementsByTagName(name);
        return l.getLength() == 0 ? null : l.item(0).getTextContent().trim();
    }

    @Test
    void cliAndPlottingLibrariesAreOptional() throws Exception {
        NodeList deps = pom().getElementsByTagName("dependency");
        List<String> optional = new ArrayList<>();
        for (int i = 0; i < deps.getLength(); i++) {
            Element d = (Element) deps.item(i);
            if ("true".equals(child(d, "optional"))) {
                optional.add(child(d, "artifactId"));
            }
        }
        assertEquals(List.of("picocli", "xchart"), optional);
    }

    @Test
    void enforcerBansTestFrameworksOutsideTestScope() throws Exception {
        NodeList rules = pom().getElementsByTagName("bannedDependencies");
        assertEquals(1, rules.getLength(), "maven-enforcer-plugin bannedDependencies rule");
        String text = rules.item(0).getTextContent();
        for (String banned : List.of("junit:junit", "org.junit.jupiter", "org.junit.platform", "org.opentest4j")) {
            assertTrue(text.contains(banned), banned);
        }
    }
}
