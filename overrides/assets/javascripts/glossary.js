/* Glossary terms: reachable by keyboard. */
