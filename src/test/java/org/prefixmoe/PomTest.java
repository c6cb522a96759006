package org.prefixmoe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
        assertEquals(List.of("picocli", "commonmark", "commonmark-ext-gfm-tables", "xchart"), optional);
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

    /** The README's dependency snippet: this pom's coordinates, and the downstream check's compiler settings. */
    @Test
    void readmeSnippetNamesThisVersionAndACompilerForJava17() throws Exception {
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        int from = readme.indexOf("```xml", readme.indexOf("### Using the library from another project")) + 6;
        String snippet = readme.substring(from, readme.indexOf("```", from));
        Element shown = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(("<project>" + snippet + "</project>").getBytes(StandardCharsets.UTF_8)))
                .getDocumentElement();
        Element project = pom().getDocumentElement();
        Element dependency = (Element) shown.getElementsByTagName("dependency").item(0);
        assertEquals(child(project, "groupId"), child(dependency, "groupId"));
        assertEquals(child(project, "artifactId"), child(dependency, "artifactId"));
        assertEquals(child(project, "version"), child(dependency, "version"));
        Element downstream = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(Path.of("examples/downstream/pom.xml").toFile()).getDocumentElement();
        assertEquals(compiler(downstream), compiler(shown), "compiler plugin version and release");
        assertEquals("17", compiler(shown).get(1));
    }

    private static List<String> compiler(Element root) {
        NodeList plugins = root.getElementsByTagName("plugin");
        for (int i = 0; i < plugins.getLength(); i++) {
            Element p = (Element) plugins.item(i);
            if ("maven-compiler-plugin".equals(child(p, "artifactId"))) {
                return List.of(child(p, "version"), child(p, "release"));
            }
        }
        throw new AssertionError("no maven-compiler-plugin in " + root.getTagName());
    }
}
